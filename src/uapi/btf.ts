// SPDX-License-Identifier: GPL-2.0-only
// The numbers of include/uapi/linux/btf.h that the BTF blob format uses: its
// magic, the type kinds and the INT encodings. They are #defines and an
// anonymous enum there, so the generated tables do not carry them; the
// kernel model, the corpus builders and the scripts all read them from here.

export const BTF_MAGIC = 0xeb9f;

/** BTF_KIND_* */
export const BTF_KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** BTF_INT_ENCODING bits of an INT type. */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;
