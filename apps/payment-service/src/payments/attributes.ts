/** On `charge payment`: how the charge ended (`completed`, `declined` or `failed`). */
export const ATTR_TRACEHOP_PAYMENT_OUTCOME = 'tracehop.payment.outcome' as const;
/** On `charge payment`: the currency charged. */
export const ATTR_TRACEHOP_PAYMENT_CURRENCY = 'tracehop.payment.currency' as const;
