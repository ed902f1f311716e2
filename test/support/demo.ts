/** Names from examples/demo-catalog.yaml that tests refer to. */
export const ACCOUNT = '123456789012';
export const ORDERS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/orders`;
export const CUSTOMERS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/customers`;
export const PAYMENTS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/payments`;
/** SELECT and INSERT granted. */
export const RETURNS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/returns`;
/** Locations of two demo tables in one bucket, both registered and granted (SELECT; returns also INSERT). */
export const ORDERS_LOCATION = 's3://demo-lake/sales/orders';
export const RETURNS_LOCATION = 's3://demo-lake/sales/returns';
export const DEMO_CATALOG = new URL('../../examples/demo-catalog.yaml', import.meta.url).pathname;
