/**
 * The sidecar's identity in `examples/demo-catalog.yaml`. Not a secret: it
 * exists only in the demo catalog, and the emulator is its only verifier.
 *
 * Not frozen on purpose: the SDK records a `$source` on the credentials object
 * it is given, and throws on a frozen one. Pass a copy to be safe.
 */
export const DEMO_PRINCIPAL: { accessKeyId: string; secretAccessKey: string; principalArn: string } = {
  accessKeyId: 'AKIALFCSDEMO00000001',
  secretAccessKey: 'lfcsDemoSecretKey/DoNotUseInProduction00',
  principalArn: 'arn:aws:iam::123456789012:role/lfcs-demo-sidecar',
};
