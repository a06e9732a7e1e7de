/** Limits copied from `benchproof_domain::assessment` (MAX_TEXT_CHARS, MAX_STUDENT_CHARS). */
export const MAX_TEXT_CHARS = 4000;
export const MAX_STUDENT_CHARS = 128;
