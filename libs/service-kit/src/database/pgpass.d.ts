/** pgpass 1.0.5 ships no types: the one call service-kit makes. */
declare module 'pgpass' {
  function pgpass(
    connection: { host: string; port: number | string; database: string; user: string },
    callback: (password: string | undefined) => void,
  ): void;
  export = pgpass;
}
