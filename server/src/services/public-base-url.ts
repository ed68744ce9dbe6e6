/**
 * The node's public base URL, under which its issuers (`<base>/issuers/<agencyId>`), their
 * metadata and the type metadata live: PUBLIC_URL when set, else `http://127.0.0.1:<port>` once
 * the server listens (tests listen on port 0, so the port is known only then).
 */
import { RegistryError } from '../../../core/errors';

export class PublicBaseUrl {
  #url: string | null;

  constructor(configured: string | null) {
    this.#url = configured === null ? null : configured.replace(/\/+$/, '');
  }

  /** Called once the server listens; a configured PUBLIC_URL wins. */
  listening(port: number): void {
    this.#url ??= `http://127.0.0.1:${port}`;
  }

  get(): string {
    if (this.#url === null) throw new RegistryError('INTERNAL', 'the public base URL is not known before the server listens');
    return this.#url;
  }
}
