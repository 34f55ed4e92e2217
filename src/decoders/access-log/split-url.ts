/** ECS `url.*` parts of a request target. */
export interface UrlParts {
  scheme?: string;
  domain?: string;
  port?: number;
  path?: string;
  query?: string;
  fragment?: string;
  extension?: string;
}

const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const AUTHORITY = /^(?:[^@/]*@)?(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/;

/**
 * Splits a request target the way Elasticsearch's `uri_parts` processor does for Filebeat: origin
 * form (`/a/b.php?x=1`), absolute form (`http://host:8080/x`, proxy probes), authority form
 * (`host:443`, CONNECT) and `*`. Nothing is percent-decoded (ECS keeps `url.path` as sent).
 * `extension` is the text after the last dot of the last path segment, lower-cased (ECS).
 */
export function splitUrl(target: string): UrlParts {
  return splitUrlInto(target, {});
}

/**
 * {@link splitUrl} written into `out` (the document's `url` object: no intermediate object), in
 * ECS order: scheme, domain, port, path, query, fragment, extension. `fallbackPath` is the path
 * when the target has none (`%U` logged beside it).
 */
export function splitUrlInto<T extends UrlParts>(target: string, out: T, fallbackPath?: string): T {
  let rest = target;
  // Origin form (nearly every request) cannot be the absolute or the authority form.
  if (target.charCodeAt(0) !== 0x2f) {
    const abs = ABSOLUTE.exec(target);
    if (abs !== null) {
      out.scheme = abs[1].toLowerCase();
      authority(abs[2], out);
      rest = abs[3];
    } else if (target !== '*' && /^[^/?#\s]+:\d{1,5}$/.test(target)) {
      authority(target, out);
      if (fallbackPath !== undefined) out.path = fallbackPath;
      return out;
    }
  }
  let fragment: string | undefined;
  let query: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (rest !== '') out.path = rest;
  else if (fallbackPath !== undefined) out.path = fallbackPath;
  if (query !== undefined) out.query = query;
  if (fragment !== undefined) out.fragment = fragment;
  const dot = rest.lastIndexOf('.');
  if (dot >= 0 && dot > rest.lastIndexOf('/') && dot < rest.length - 1) out.extension = rest.slice(dot + 1).toLowerCase();
  return out;
}

function authority(text: string, out: UrlParts): void {
  const m = AUTHORITY.exec(text);
  if (m === null) return;
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (host !== '') out.domain = host;
  if (m[2] !== undefined) {
    const port = +m[2];
    if (port <= 65535) out.port = port;
  }
}
