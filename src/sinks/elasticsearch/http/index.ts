/**
 * One HTTP code path for Elasticsearch 7/8/9 and OpenSearch 1/2/3, built on undici.
 * (Work in progress: the client, engine detection, auth and TLS follow.)
 */
export {};
