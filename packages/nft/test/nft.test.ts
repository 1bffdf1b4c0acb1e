import { rootMount } from '@w3kit/core/testing';
import { nftSuite } from './nft.suite.js';

nftSuite(rootMount);
