// Planted bug "health gate off" (issue 7): see canaries.ts for how it is built and which property must catch it.
import { describeCanary } from './canary-check.js';

describeCanary('health gate off');
