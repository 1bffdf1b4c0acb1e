/**
 * The valid-area rules of `validAreaIssues` itself. Over HTTP the mint schema refuses a malformed
 * latitude, longitude or unit first (its patterns), so these lines of the service are reached only
 * by a host that mints through the service or stores tokens its own way: they must still refuse.
 */
import assert from 'node:assert/strict';
import { validAreaIssues } from '../src/geofence.js';

const lines = (dynamic: Record<string, unknown>) => validAreaIssues(dynamic).map((issue) => `${issue.field}: ${issue.message}`);

describe('nft valid area rules (the service, without the HTTP schema)', () => {
  it('a complete area in range, at its bounds too, has no issue', () => {
    assert.deepEqual(lines({ valid_latitude: '35.6812', valid_longitude: '139.7671', valid_radius: 100, unit_of_length: 'KM' }), []);
    assert.deepEqual(lines({ valid_latitude: '-90', valid_longitude: '180', valid_radius: 0.5 }), []);
    assert.deepEqual(lines({ valid_latitude: '90', valid_longitude: '-180', valid_radius: 1, unit_of_length: 'mi' }), []);
  });

  it('names a latitude, a longitude out of range, a radius that is not positive and a unit it does not know', () => {
    assert.deepEqual(lines({ valid_latitude: '90.5', valid_longitude: '-180.01', valid_radius: 0, unit_of_length: 'ft' }), [
      'metadata.dynamic.valid_latitude: must be a latitude in decimal degrees, from -90 to 90 (like "35.6812").',
      'metadata.dynamic.valid_longitude: must be a longitude in decimal degrees, from -180 to 180 (like "139.7671").',
      'metadata.dynamic.valid_radius: must be positive.',
      'metadata.dynamic.unit_of_length: must be one of m, km or mi (any case).',
    ]);
  });

  it('text that is no number is out of range; a unit alone is still checked', () => {
    assert.deepEqual(lines({ valid_latitude: 'north', valid_longitude: '0', valid_radius: 1 }), [
      'metadata.dynamic.valid_latitude: must be a latitude in decimal degrees, from -90 to 90 (like "35.6812").',
    ]);
    assert.deepEqual(lines({ valid_latitude: '0', valid_longitude: 'east', valid_radius: 1 }), [
      'metadata.dynamic.valid_longitude: must be a longitude in decimal degrees, from -180 to 180 (like "139.7671").',
    ]);
    assert.deepEqual(lines({ unit_of_length: 'furlong' }), ['metadata.dynamic.unit_of_length: must be one of m, km or mi (any case).']);
    assert.deepEqual(lines({ unit_of_length: 'M' }), []);
  });

  it('the three area fields go together', () => {
    assert.deepEqual(lines({ valid_radius: 5 }), ['metadata.dynamic.valid_latitude: is required with valid_radius.', 'metadata.dynamic.valid_longitude: is required with valid_radius.']);
  });
});
