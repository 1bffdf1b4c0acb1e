import { accountsSuite } from '../../../packages/auth/test/accounts.suite.js';
import { associationSuite } from '../../../packages/auth/test/association.suite.js';
import { verificationSuite } from '../../../packages/auth/test/verification.suite.js';
import { nftSuite } from '../../../packages/nft/test/nft.suite.js';
import { qrVerificationSuite } from '../../../packages/nft/test/verification.suite.js';
import { hostMount } from './support.js';

// The auth and nft HTTP suites, unchanged, with every request travelling through the host app
// to /identity/… (the same suites run at the root in their packages).
describe(`auth and nft HTTP suites, ${hostMount.name}`, () => {
  accountsSuite(hostMount);
  associationSuite(hostMount);
  verificationSuite(hostMount);
  nftSuite(hostMount);
  qrVerificationSuite(hostMount);
});
