/** Provided by cli/build.ts at build time: the building Node's tls.rootCertificates. */
declare module 'nimbus:root-certificates' {
  const roots: readonly string[];
  export default roots;
}
