import assert from "node:assert";

export const passes = {
  test() {
    assert.ok(true);
  },
};

export const fails = {
  test() {
    assert.strictEqual(1, 2);
  },
};
