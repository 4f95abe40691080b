// Data types and their libtorch ScalarType codes (c10/core/ScalarType.h order).

export type DType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float16' | 'float32' | 'float64' | 'bool' | 'bfloat16';

const CODES: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const NAMES = new Map<number, DType>(Object.entries(CODES).map(([name, code]) => [code, name as DType]));

/** Whether a string names a dtype (as opposed to, say, a device). */
export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.hasOwn(CODES, name);
}

export function dtypeCode(dtype: DType): number {
  const code = CODES[dtype];
  if (code === undefined) throw new TypeError(`unknown dtype '${String(dtype)}' (expected one of ${Object.keys(CODES).join(', ')})`);
  return code;
}

export function dtypeFromCode(code: number): DType {
  const name = NAMES.get(code);
  if (!name) throw new TypeError(`libtorch dtype code ${code} has no name here`);
  return name;
}

export function isFloatingDType(dtype: DType): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64' || dtype === 'bfloat16';
}

/** Bytes per element, as stored in safetensors files. */
export function dtypeBytes(dtype: DType): number {
  switch (dtype) {
    case 'uint8': case 'int8': case 'bool': return 1;
    case 'int16': case 'float16': case 'bfloat16': return 2;
    case 'int32': case 'float32': return 4;
    case 'int64': case 'float64': return 8;
  }
}

/** libtorch memory formats (c10/core/MemoryFormat.h). */
export const MEMORY_FORMAT = { contiguous: 0, preserve: 1, channelsLast: 2, channelsLast3d: 3 } as const;
export type MemoryFormat = keyof typeof MEMORY_FORMAT;
