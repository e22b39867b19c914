import type { Entitlements, FeatureMap, FeaturePatch, LimitMap, LimitPatch } from './plan.schemas.js';

/** What a tenant may do: its plan's features and limits, with its own on top of them, key by key. */
export function mergeEntitlements(
  plan: string | null,
  planValues: { features: FeatureMap; limits: LimitMap } | null,
  own: { features: FeatureMap; limits: LimitMap },
): Entitlements {
  return {
    plan,
    features: { ...planValues?.features, ...own.features },
    limits: { ...planValues?.limits, ...own.limits },
  };
}

/** A map with a patch applied: a key set to null is removed, any other value replaces. */
export function patchMap<T extends FeatureMap | LimitMap>(current: T, patch: FeaturePatch | LimitPatch): T {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  return next as T;
}
