// Reading a stage's settings from a JSON or YAML file (the --config flag), naming the file in any error.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config_errors.js';

/** Reads a JSON or YAML config file (by extension), naming the file in any error. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read config file: ${(err as Error).message}`], path);
  }
  try {
    const value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('top level must be an object of keys');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`cannot parse: ${(err as Error).message}`], path);
  }
}
