import { rootMount } from '@w3kit/core/testing';
import { accountsSuite } from './accounts.suite.js';

accountsSuite(rootMount);
