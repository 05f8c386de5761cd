/** True when the URL answers 2xx; a refused or failed connection is "not yet", not an error. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
