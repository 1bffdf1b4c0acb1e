import { coreErrors, type FieldIssue } from '@w3kit/core';
import type { GpsPoint } from './verification-store.js';

const EARTH_RADIUS_M = 6_371_008.8;
const METERS_PER_UNIT = { m: 1, km: 1000, mi: 1609.344 } as const;
export type LengthUnit = keyof typeof METERS_PER_UNIT;

export const isLengthUnit = (unit: string): unit is LengthUnit => Object.hasOwn(METERS_PER_UNIT, unit);

/** A position as a request carries it: decimal degrees, as numbers or as text. */
export interface GpsInput {
  latitude: string | number;
  longitude: string | number;
}

/** Reads a request's position into numbers, or 400 naming the field out of range. */
export function gpsPointOf(gps: GpsInput, field = 'gps'): GpsPoint {
  const latitude = Number(gps.latitude);
  const longitude = Number(gps.longitude);
  const issues: FieldIssue[] = [];
  if (!(Math.abs(latitude) <= 90)) issues.push({ field: `${field}.latitude`, message: 'must be between -90 and 90.' });
  if (!(Math.abs(longitude) <= 180)) issues.push({ field: `${field}.longitude`, message: 'must be between -180 and 180.' });
  if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues });
  return { latitude, longitude };
}

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
  /** The radius and unit as the NFT states them, for messages. */
  radius: number;
  unit: LengthUnit;
}

const AREA_FIELDS = ['valid_latitude', 'valid_longitude', 'valid_radius'] as const;

/**
 * What is wrong with an NFT's valid-area fields, one issue per field (checked at mint, so a token
 * never carries an area that cannot be read): the three go together, coordinates are decimal
 * degrees in range, the radius is positive, `unit_of_length` is m, km or mi.
 */
export function validAreaIssues(dynamic: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const field = (name: string) => `metadata.dynamic.${name}`;
  const present = AREA_FIELDS.filter((f) => dynamic[f] !== undefined);
  if (present.length > 0) {
    for (const f of AREA_FIELDS.filter((f) => dynamic[f] === undefined)) issues.push({ field: field(f), message: `is required with ${present.join(', ')}.` });
    if (dynamic['valid_latitude'] !== undefined && !(Math.abs(Number(dynamic['valid_latitude'])) <= 90)) {
      issues.push({ field: field('valid_latitude'), message: 'must be a latitude in decimal degrees, from -90 to 90 (like "35.6812").' });
    }
    if (dynamic['valid_longitude'] !== undefined && !(Math.abs(Number(dynamic['valid_longitude'])) <= 180)) {
      issues.push({ field: field('valid_longitude'), message: 'must be a longitude in decimal degrees, from -180 to 180 (like "139.7671").' });
    }
    if (dynamic['valid_radius'] !== undefined && !(Number(dynamic['valid_radius']) > 0)) issues.push({ field: field('valid_radius'), message: 'must be positive.' });
  }
  if (dynamic['unit_of_length'] !== undefined && !isLengthUnit(String(dynamic['unit_of_length']).toLowerCase())) {
    issues.push({ field: field('unit_of_length'), message: 'must be one of m, km or mi (any case).' });
  }
  return issues;
}

/**
 * The circle an NFT may be verified in, from its dynamic fields `valid_latitude`,
 * `valid_longitude`, `valid_radius` and `unit_of_length` (m, km or mi; default m), or null when
 * the NFT does not restrict where it is verified.
 */
export function validAreaOf(dynamic: Record<string, unknown>): ValidArea | null {
  if (AREA_FIELDS.every((f) => dynamic[f] === undefined || dynamic[f] === null)) return null;
  // Fail closed: a restriction that cannot be read lets nothing verify (mint validation keeps
  // such values out, so this guards data written around it).
  if (validAreaIssues(dynamic).length > 0) return { center: { latitude: 0, longitude: 0 }, radiusMeters: -1, radius: -1, unit: 'm' };
  const unit = String(dynamic['unit_of_length'] ?? 'm').toLowerCase() as LengthUnit;
  return {
    center: { latitude: Number(dynamic['valid_latitude']), longitude: Number(dynamic['valid_longitude']) },
    radiusMeters: Number(dynamic['valid_radius']) * METERS_PER_UNIT[unit],
    radius: Number(dynamic['valid_radius']),
    unit,
  };
}

/** A distance in meters in the area's own unit, rounded for people (0.1 m, 1 m of km and mi). */
export function inAreaUnit(area: ValidArea, meters: number): number {
  const value = meters / METERS_PER_UNIT[area.unit];
  return area.unit === 'm' ? Math.round(value * 10) / 10 : Math.round(value * 1000) / 1000;
}

export const isInside = (area: ValidArea, point: GpsPoint): boolean => distanceMeters(area.center, point) <= area.radiusMeters;
