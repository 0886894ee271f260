#!/usr/bin/env node
// Jupyter kernel launcher: starts tslab from the project root, so notebooks import "./lib/..."
// (tslab compiles with rootDir = its working directory and ignores tsconfig.json).
"use strict";
const path = require("path");
process.chdir(path.resolve(__dirname, ".."));

// A kernel interrupt (Jupyter sends SIGINT) only makes tslab abandon the cell's promise; the
// training it started would run on in the background. Feed the process-wide interrupt that the
// training loops watch (lib/core/interrupt.ts), and give each cell a fresh scope so that running the
// cell again resumes from the checkpoint the interrupted loop wrote.
const { interrupt, newInterruptScope } = require("tsx/cjs/api").require("../lib/core/interrupt.ts", __filename);
process.on("SIGINT", () => interrupt("kernel interrupt"));
const { JupyterHandlerImpl } = require("tslab/dist/jupyter.js");
const executeCell = JupyterHandlerImpl.prototype.handleExecuteImpl;
JupyterHandlerImpl.prototype.handleExecuteImpl = function (...args) {
  newInterruptScope();
  return executeCell.apply(this, args);
};

process.argv = [process.argv[0], "tslab", "kernel", "--config-path", process.argv[2]];
require("tslab/dist/main.js").main();
