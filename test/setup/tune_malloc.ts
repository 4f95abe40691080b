// Loaded before every test file (scripts/run-tests.mjs): the same heap settings the CLI runs with.
import { tuneMalloc } from '../../src/tensor/index.js';

tuneMalloc();
