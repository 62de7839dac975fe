/**
 * Refused requests say what was wrong and what is allowed: schema errors name the field, the
 * rule it broke and the value received; other 4xx errors pass their message through; 5xx errors
 * say only that the server failed (details go to the log, not to clients).
 */
import type { FastifyError, FastifyInstance } from 'fastify';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  data?: unknown;
}

/** One line for a request's schema errors: the first field's problems, anyOf branches merged. */
export function describeSchemaErrors(errors: AjvError[], where: string): string {
  const field = errors[0]?.instancePath.replace(/^\//, '').replaceAll('/', '.') || '';
  const same = errors.filter((e) => e.instancePath === errors[0].instancePath && e.keyword !== 'anyOf');
  const rules = [...new Set(same.map((e) => (e.keyword === 'enum' ? `be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : (e.message ?? e.keyword))))];
  const got = 'data' in errors[0] ? `, got ${JSON.stringify(errors[0].data)?.slice(0, 80)}` : '';
  const name = field ? `${where}.${field}` : where;
  if (errors[0].keyword === 'additionalProperties') return `${name} has an unknown field ${JSON.stringify(errors[0].params.additionalProperty)}`;
  if (errors[0].keyword === 'required') return `${name} needs the field ${JSON.stringify(errors[0].params.missingProperty)}`;
  return `${name} must ${rules.join(' or ')}${got}`.replace(/must must /g, 'must ');
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setSchemaErrorFormatter((errors, where) => new Error(describeSchemaErrors(errors as AjvError[], where)));
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      req.log.error(error);
      return reply.code(status).send({ error: 'internal server error (see the server log)' });
    }
    return reply.code(status).send({ error: error.message });
  });
}
