/** The default of --max-file-size: larger files are skipped (and reported) rather than read. */
export const defaultMaxFileSize = 5 * 1024 * 1024;
