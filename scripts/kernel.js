#!/usr/bin/env node
// Jupyter kernel launcher: starts tslab from the project root, so notebooks import "./lib/..."
// (tslab compiles with rootDir = its working directory and ignores tsconfig.json).
"use strict";
const path = require("path");
process.chdir(path.resolve(__dirname, ".."));
process.argv = [process.argv[0], "tslab", "kernel", "--config-path", process.argv[2]];
require("tslab/dist/main.js").main();
