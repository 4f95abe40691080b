// Argument parsers shared by commands: numbers with the flag named in the error.
export function numberArg(flag: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag} expects a number, got '${raw}'`);
    return value;
  };
}
