/** What replaces a secret in any text pod2wi shows or stores. */
export const redacted = '***';

/**
 * Removes secrets from text before it is printed or put in an error: each token as given, the forms it takes in an
 * HTTP Basic header (`base64(":" + token)`, `base64("x-access-token:" + token)`), its URL-encoded form, and the user
 * information of any URL (`https://user:secret@host` → `https://***@host`).
 */
export class Redactor {
  private readonly secrets: readonly string[];

  constructor(tokens: readonly (string | null | undefined)[]) {
    const forms = new Set<string>();
    for (const token of tokens) {
      // Very short values would blank out ordinary words; real tokens are long.
      if (!token || token.length < 6) continue;
      forms.add(token);
      forms.add(encodeURIComponent(token));
      for (const prefix of [':', 'x-access-token:']) forms.add(Buffer.from(`${prefix}${token}`).toString('base64'));
    }
    this.secrets = [...forms].sort((a, b) => b.length - a.length);
  }

  /** The text with every known secret and URL credential replaced by `***`. */
  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join(redacted);
    return result.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${redacted}@`);
  }

  /** Whether a text contains any known secret (for tests and assertions). */
  leaks(text: string): boolean {
    return this.secrets.some((secret) => text.includes(secret));
  }
}
