import { z } from 'zod';

/** Where a status page component's up/down comes from: a series of 1 (up) and 0 (down) samples. */
export type ComponentSource =
  /** A HealthMonitor's provider or dependency check (`vigil_provider_up{provider}`, `vigil_dependency_up{dependency}`). */
  | { readonly kind: 'health'; readonly name: string }
  /** Scrape targets of a job, or one instance of it (`up{job, instance}`). */
  | { readonly kind: 'target'; readonly job: string; readonly instance: string | undefined }
  /** An Uptime Kuma-style push monitor (`vigil_push_up{monitor}`): its token stays in the configuration. */
  | { readonly kind: 'push'; readonly token: string }
  /** A PromQL expression whose value is 1 when up, 0 when down, in between when degraded (`> bool`, `avg(up)`). */
  | { readonly kind: 'query'; readonly expr: string };

export interface StatusComponentConfig {
  /** The badge id (`/api/badge/<id>/status`): unique across all pages. */
  readonly id: string;
  readonly name: string;
  readonly source: ComponentSource;
}

export interface StatusPageConfig {
  /** The page is at `/status/<slug>`. */
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly groups: readonly {
    readonly name: string;
    readonly components: readonly StatusComponentConfig[];
  }[];
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

const component = z
  .object({
    id: z
      .union([z.string().regex(ID, 'expected an id of letters, digits, _ and -'), z.number().int().min(0)])
      .optional(),
    name: z.string().min(1),
    health: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    push: z.string().min(1).optional(),
    query: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (c) => [c.health, c.target, c.push, c.query].filter((s) => s !== undefined).length === 1,
    'expected exactly one of health (a check name), target (job or job/instance), push (a push token) or query (PromQL)',
  );

/** vigil.yaml's `status_pages:` list, as written. */
export const STATUS_PAGES_SCHEMA = z.array(
  z
    .object({
      slug: z.string().regex(SLUG, 'expected a slug of lower-case letters, digits, _ and -'),
      title: z.string().min(1),
      description: z.string().default(''),
      groups: z
        .array(z.object({ name: z.string().min(1), components: z.array(component).min(1) }).strict())
        .min(1, 'expected at least one group'),
    })
    .strict(),
);

/**
 * The pages as the server uses them: each component with its source and an id (given, else its name
 * in lower case with runs of other characters as `-`). Duplicate slugs or ids are an error: a badge
 * URL must name one component.
 */
export function resolveStatusPages(
  pages: z.infer<typeof STATUS_PAGES_SCHEMA>,
): { pages: StatusPageConfig[] } | { error: string } {
  const slugs = new Set<string>();
  const ids = new Map<string, string>();
  const out: StatusPageConfig[] = [];
  for (const page of pages) {
    if (slugs.has(page.slug)) return { error: `status_pages: slug "${page.slug}" is used twice` };
    slugs.add(page.slug);
    const groups = page.groups.map((g) => ({
      name: g.name,
      components: g.components.map((c): StatusComponentConfig => {
        const id =
          c.id === undefined
            ? c.name
                .toLowerCase()
                .replace(/[^a-z0-9]+/g, '-')
                .replace(/^-|-$/g, '')
            : String(c.id);
        return { id, name: c.name, source: sourceOf(c) };
      }),
    }));
    for (const g of groups)
      for (const c of g.components) {
        if (c.id === '')
          return { error: `status_pages: component "${c.name}" of "${page.slug}": give it an id` };
        const other = ids.get(c.id);
        if (other !== undefined)
          return {
            error: `status_pages: component id "${c.id}" is used by "${other}" and "${c.name}" (page "${page.slug}"); badge URLs need one component per id: set id on one of them`,
          };
        ids.set(c.id, c.name);
      }
    out.push({ slug: page.slug, title: page.title, description: page.description, groups });
  }
  return { pages: out };
}

function sourceOf(c: {
  health?: string | undefined;
  target?: string | undefined;
  push?: string | undefined;
  query?: string | undefined;
}): ComponentSource {
  if (c.health !== undefined) return { kind: 'health', name: c.health };
  if (c.push !== undefined) return { kind: 'push', token: c.push };
  if (c.query !== undefined) return { kind: 'query', expr: c.query };
  const target = c.target ?? '';
  const slash = target.indexOf('/');
  return slash < 0
    ? { kind: 'target', job: target, instance: undefined }
    : { kind: 'target', job: target.slice(0, slash), instance: target.slice(slash + 1) };
}
