/**
 * The errors pod2wi raises on purpose. Only the CLI maps a `code` to an exit status:
 * usage and config → 2, nothing-scanned → 4, anything else (internal, remote) → 3.
 */
export type ErrorCode = 'usage' | 'config' | 'nothing-scanned' | 'internal' | 'remote';

export class Pod2wiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'Pod2wiError';
    this.code = code;
  }
}

export class UsageError extends Pod2wiError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** A configuration or rule file that is invalid; the message names the file and the field. */
export class ConfigError extends Pod2wiError {
  constructor(message: string) {
    super('config', message);
    this.name = 'ConfigError';
  }
}

export class NothingScannedError extends Pod2wiError {
  constructor(message: string) {
    super('nothing-scanned', message);
    this.name = 'NothingScannedError';
  }
}

/**
 * A git remote or a pull-request provider's API refused or failed. The message names the call (method and path, or
 * the git command), the status and the provider's own error text, with every secret already redacted.
 */
export class RemoteError extends Pod2wiError {
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super('remote', message);
    this.name = 'RemoteError';
    this.status = status;
  }
}
