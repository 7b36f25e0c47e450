import { ConfigError, resolveSecrets } from '@cutover/kit';
import type { MetricsSource } from '@cutover/gates';
import type { MetricsConfig } from '@cutover/plan';
import type { ProviderContext } from './provider.js';
import { checkMetricsSettings } from './registry.js';

/** Credentials given as action inputs (`prometheus-token`, `prometheus-basic-auth`). */
export interface SourceSecrets {
  prometheusToken?: string | undefined;
  prometheusUsername?: string | undefined;
  prometheusPassword?: string | undefined;
}

/**
 * What building a source needs besides the plan: `env` resolves `{ env: NAME }` settings (an
 * unset variable is a ConfigError naming the setting and the variable) and `mask` is called
 * with every secret value before it is used.
 */
export type SourceContext = ProviderContext;

/**
 * Builds the provider a plan names through the registry: the settings are checked against the
 * provider's schema (every problem at once, as ConfigError), secrets are resolved from
 * `context.env` and masked, then the provider's factory runs.
 */
export function createMetricsSource(
  config: MetricsConfig,
  secrets: SourceSecrets,
  context: SourceContext,
): MetricsSource {
  const raw: Record<string, unknown> = { provider: config.provider, ...config.settings };
  if (config.provider === 'prometheus') withInputCredentials(raw, secrets, context);
  const checked = checkMetricsSettings(raw, 'metrics');
  if (!checked.ok) throw new ConfigError(checked.errors.join('\n'));
  const settings = resolveSecrets(checked.settings, 'metrics', context);
  return checked.provider.create(settings, context);
}

/** Inputs replace the plan's credentials: the workflow decides which secret a run uses. */
function withInputCredentials(
  raw: Record<string, unknown>,
  secrets: SourceSecrets,
  context: SourceContext,
): void {
  // A user name is no secret: masking "ci" would hide every "ci" in the log.
  const given = [secrets.prometheusToken, secrets.prometheusPassword];
  for (const value of given) if (value !== undefined && value !== '') context.mask?.(value);
  if (secrets.prometheusToken !== undefined) {
    delete raw['basic-auth'];
    raw['bearer-token'] = secrets.prometheusToken;
  } else if (secrets.prometheusUsername !== undefined) {
    delete raw['bearer-token'];
    raw['basic-auth'] = {
      username: secrets.prometheusUsername,
      password: secrets.prometheusPassword ?? '',
    };
  }
}
