/**
 * The `metadata.static` of a valid mint (the Web3Connect document's required fields, a diploma), with
 * `overrides` applied: the one sample every NFT test, fixture and benchmark starts from.
 */
export function sampleStaticMetadata(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: 'Acme University',
    contents_provider: 'Acme',
    name: 'Bachelor of Science',
    description: 'Awarded for completing the programme.',
    image: 'https://acme.test/diploma.png',
    link: 'https://acme.test/diploma',
    serial_number: 123,
    total_issued: 321,
    animation_url: 'https://acme.test/diploma.mp4',
    ...overrides,
  };
}
