// Planted bug "revert disabled" (issue 7): see canaries.ts for how it is built and which property must catch it.
import { describeCanary } from './canary-check.js';

describeCanary('revert disabled');
