import type { GpsPoint } from './verification-store.js';

const EARTH_RADIUS_M = 6_371_008.8;
const METERS_PER_UNIT = { m: 1, km: 1000, mi: 1609.344 } as const;
export type LengthUnit = keyof typeof METERS_PER_UNIT;

export const isLengthUnit = (unit: string): unit is LengthUnit => Object.hasOwn(METERS_PER_UNIT, unit);

/** Great-circle distance in meters (haversine). */
export function distanceMeters(a: GpsPoint, b: GpsPoint): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLng = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface ValidArea {
  center: GpsPoint;
  radiusMeters: number;
}

/**
 * The circle an NFT may be verified in, from its dynamic fields `valid_latitude`,
 * `valid_longitude`, `valid_radius` and `unit_of_length` (m, km or mi; default m), or null when
 * the NFT does not restrict where it is verified.
 */
export function validAreaOf(dynamic: Record<string, unknown>): ValidArea | null {
  const fields = ['valid_latitude', 'valid_longitude', 'valid_radius'] as const;
  if (fields.every((f) => dynamic[f] === undefined || dynamic[f] === null)) return null;
  const latitude = Number(dynamic['valid_latitude']);
  const longitude = Number(dynamic['valid_longitude']);
  const radius = Number(dynamic['valid_radius']);
  const unit = String(dynamic['unit_of_length'] ?? 'm').toLowerCase();
  // Fail closed: a restriction that cannot be read lets nothing verify (mint validation keeps
  // such values out, so this guards data written around it).
  if (![latitude, longitude, radius].every(Number.isFinite) || !isLengthUnit(unit)) return { center: { latitude: 0, longitude: 0 }, radiusMeters: -1 };
  return { center: { latitude, longitude }, radiusMeters: radius * METERS_PER_UNIT[unit] };
}

export const isInside = (area: ValidArea, point: GpsPoint): boolean => distanceMeters(area.center, point) <= area.radiusMeters;
