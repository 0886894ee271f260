import { test } from "node:test";
import assert from "node:assert/strict";
import { executionSource, parseCellOptions } from "../scripts/render/cell-options";

test("cell options are read from the leading #| lines, with YAML values and lists", () => {
  const { options, code } = parseCellOptions('#| label: fig-grid\n#| fig-cap:\n#|   - "Real: 10 classes"\n#|   - Fake\n#| echo: false\nshow();\n#| not an option\n');
  assert.deepEqual(options, { label: "fig-grid", "fig-cap": ["Real: 10 classes", "Fake"], echo: false });
  assert.equal(code, "show();\n#| not an option\n");
  assert.deepEqual(parseCellOptions("show();"), { options: {}, code: "show();" });
  // TypeScript cells write them as comments of their own language, which tslab runs as they are.
  assert.deepEqual(parseCellOptions("//| label: fig-ts\n//| echo: false\nshow();\n"), { options: { label: "fig-ts", echo: false }, code: "show();\n" });
});

test("a malformed option block is an error naming the cell", () => {
  assert.throws(() => parseCellOptions("#| fig-cap: a: b\nshow();", "notebooks/01.ipynb, cell 3"), /notebooks\/01\.ipynb, cell 3: .*not valid YAML.*quote/);
});

test("the execution source drops display options only", () => {
  assert.equal(executionSource("#| label: fig-a\n#| eval: false\n#| fig-alt: x\nrun();"), "#| eval: false\nrun();");
  assert.equal(executionSource("run();"), "run();");
});
