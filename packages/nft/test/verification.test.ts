import { rootMount } from '@w3kit/core/testing';
import { qrVerificationSuite } from './verification.suite.js';

qrVerificationSuite(rootMount);
