/** A command line that cannot be run: said with the usage, exit code 2. */
export class UsageError extends Error {}

/** A request the server refused or could not answer: said in one line, exit code 1. */
export class RemoteError extends Error {}
