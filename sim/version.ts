// The code version stamped into every trace header (a run is a function of scenario, seed and this).
// test/unit/version.test.ts keeps it equal to package.json's version.
export const CODE_VERSION = '0.1.0';
