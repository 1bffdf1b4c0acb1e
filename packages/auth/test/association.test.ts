import { rootMount } from '@w3kit/core/testing';
import { associationSuite } from './association.suite.js';

associationSuite(rootMount);
