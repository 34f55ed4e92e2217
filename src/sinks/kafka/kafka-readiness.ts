/** `/readyz` check for Kafka: a broker of the list answers a metadata request. */
import { Admin } from '@platformatic/kafka';

/** Readiness of the brokers `brokers` (the check's error names them, never credentials). */
export function kafkaReadiness(brokers: readonly string[], clientId = 'sluice-readyz', name = 'kafka'): { readonly name: string; check(signal?: AbortSignal): Promise<void> } {
  return {
    name,
    async check() {
      const admin = new Admin({ clientId, bootstrapBrokers: [...brokers], retries: 0, timeout: 1500 });
      try {
        await admin.metadata({ topics: [] });
      } catch (err) {
        throw new Error(`no Kafka broker of ${brokers.join(', ')} answered a metadata request (${(err as Error).message})`);
      } finally {
        await admin.close().catch(() => undefined);
      }
    },
  };
}
