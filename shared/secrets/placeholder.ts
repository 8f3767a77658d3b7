/** The value the stack puts in secrets the operator must fill in; the functions treat it as "not set". */

export const SECRET_PLACEHOLDER = 'PLACEHOLDER: set with aws secretsmanager put-secret-value';

/** True for an empty value or the deploy-time placeholder. */
export const isUnsetSecret = (value: string | null | undefined): boolean =>
  !value || value.trim() === '' || value.startsWith('PLACEHOLDER');
