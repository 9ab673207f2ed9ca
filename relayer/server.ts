/**
 * The relayer's HTTP API (Fastify):
 *
 *   POST /ballots       a signed ballot (lib/ballots/relay.ts `BallotRequest`) → 202 { id, status } once it is stored
 *   GET  /ballots/:id   its status: queued → submitted (with the transaction) → included, or rejected (with why)
 *   GET  /health        200 when the relayer is up: its chain, governor, address and the queue
 *
 * Every refusal is `{ error, message }` with a 4xx status and stores nothing: 400 a body that is not a ballot
 * (malformed JSON, a missing or malformed field), 413 a body over the size limit, 415 not JSON, 422 a ballot that
 * cannot count (another chain or contract, a bad signature, or what simulating it on the chain says), 409 another
 * ballot of the voter for the same proposal and nonce already waiting, 429 over a rate limit.
 *
 * Pages of the origins in `allowedOrigins` may call it from the browser (CORS, with its preflight); a page of any
 * other origin gets no CORS header, so the browser keeps the answer from it.
 */
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";

import { ballotRequestSchema, type BallotRequest } from "../lib/ballots/relay.ts";
import type { BallotRecord, BallotStore } from "./store.ts";
import { BallotRejectedError, ChainUnavailableError, type BallotValidator } from "./validate.ts";

export interface ServerLimits {
  /** Largest accepted body, in bytes. */
  bodyLimit: number;
  /** Ballots accepted per `rateWindowMs` from everyone together. */
  globalRate: number;
  /** Ballots accepted per `rateWindowMs` for one voter. */
  voterRate: number;
  rateWindowMs: number;
}

export const defaultServerLimits: ServerLimits = {
  bodyLimit: 16 * 1024,
  globalRate: 3_000,
  voterRate: 20,
  rateWindowMs: 60_000,
};

export interface ServerConfig {
  store: BallotStore;
  validator: BallotValidator;
  /** Called after a ballot is queued. */
  onQueued: () => void;
  /** What /health reports besides the queue. */
  describe: () => Record<string, unknown>;
  limits: ServerLimits;
  /** Origins whose pages may call the API from a browser (exact `scheme://host:port`). */
  allowedOrigins: readonly string[];
  log: (line: string) => void;
}

/** The origins a relayer allows by default: the members' app that `npm start` serves. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ["http://127.0.0.1:5173", "http://localhost:5173"];

/** The public view of a stored ballot. */
export function ballotView(r: BallotRecord) {
  return {
    id: r.id,
    status: r.status,
    proposalId: r.proposalId.toString(),
    voter: r.voter,
    support: r.support,
    votes: r.votes.toString(),
    nonce: r.nonce.toString(),
    deadline: r.deadline.toString(),
    receivedAt: new Date(r.receivedAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    ...(r.txHash !== null ? { txHash: r.txHash } : {}),
    ...(r.rejection !== null ? { rejection: r.rejection } : {}),
  };
}

const errorBody = { type: "object", properties: { error: { type: "string" }, message: { type: "string" } } };

/** Fastify's own error codes, as the refusals clients see. */
const frameworkErrors: Record<string, { error: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { error: "MalformedJson" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: "MalformedJson", message: "the body is empty: send a JSON ballot" },
  FST_ERR_CTP_BODY_TOO_LARGE: { error: "BodyTooLarge" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { error: "UnsupportedMediaType" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { error: "InvalidContentLength" },
};

export async function createServer(config: ServerConfig): Promise<FastifyInstance> {
  const { store, validator, limits, log } = config;
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimit,
    // Unknown fields are refused rather than silently dropped: a client that sends them has a bug.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  // Fastify reads text/plain bodies as strings by default; the API takes JSON only, so they are refused with 415.
  app.removeContentTypeParser("text/plain");
  const allowed = new Set(config.allowedOrigins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ["GET", "POST"],
    allowedHeaders: ["content-type"],
    exposedHeaders: ["retry-after"],
    maxAge: 600,
  });
  await app.register(rateLimit, { global: false });
  const globalLimit = app.createRateLimit({
    max: limits.globalRate,
    timeWindow: limits.rateWindowMs,
    keyGenerator: () => "all",
  });
  const voterLimit = app.createRateLimit({
    max: limits.voterRate,
    timeWindow: limits.rateWindowMs,
    keyGenerator: (req: FastifyRequest) => (req.body as BallotRequest).voter.toLowerCase(),
  });
  const window = `${limits.rateWindowMs / 1000} s`;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof BallotRejectedError) {
      return reply.status(error.status).send({ error: error.code, message: error.message });
    }
    if (error instanceof ChainUnavailableError) {
      log(`relayer: ${error.message}`);
      return reply.status(503).send({ error: "ChainUnavailable", message: error.message });
    }
    if (error.validation !== undefined) {
      return reply.status(400).send({ error: "InvalidBody", message: error.message });
    }
    const known = error.code === undefined ? undefined : frameworkErrors[error.code];
    if (known !== undefined) {
      const message =
        known.message ??
        (error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? `the body is larger than ${limits.bodyLimit} bytes`
          : error.code === "FST_ERR_CTP_INVALID_JSON_BODY"
            ? `the body is not valid JSON: ${error.message}`
            : error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
              ? `the body must be JSON (content-type: application/json), not ${request.headers["content-type"] ?? "untyped"}`
              : error.message);
      return reply.status(error.statusCode ?? 400).send({ error: known.error, message });
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.code ?? "BadRequest", message: error.message });
    }
    log(`relayer: internal error: ${error.message}`);
    return reply.status(500).send({ error: "InternalError", message: "the relayer failed; the ballot was not stored" });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: "NotFound", message: `no route ${request.method} ${request.url}` }),
  );

  app.get("/health", async () => ({ ok: true, ...config.describe(), ballots: store.counts() }));

  app.get<{ Params: { id: string } }>(
    "/ballots/:id",
    {
      schema: {
        params: {
          type: "object",
          properties: { id: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
          required: ["id"],
        },
        response: { 404: errorBody },
      },
    },
    async (request, reply) => {
      const record = store.get(request.params.id.toLowerCase());
      if (record === undefined)
        return reply.status(404).send({ error: "UnknownBallot", message: `no ballot ${request.params.id}` });
      return ballotView(record);
    },
  );

  app.post<{ Body: BallotRequest }>(
    "/ballots",
    {
      schema: { body: ballotRequestSchema },
      // The global limit is checked before the body is even read; the voter's once the body is known valid.
      onRequest: async (request, reply) => {
        const result = await globalLimit(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header("retry-after", result.ttlInSeconds);
          throw new BallotRejectedError(
            429,
            "RateLimited",
            `the relayer takes at most ${limits.globalRate} ballots per ${window}; retry in ${result.ttlInSeconds} s`,
          );
        }
      },
      preHandler: async (request, reply) => {
        const result = await voterLimit(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header("retry-after", result.ttlInSeconds);
          throw new BallotRejectedError(
            429,
            "VoterRateLimited",
            `the relayer takes at most ${limits.voterRate} ballots per ${window} from voter ${request.body.voter}; retry in ${result.ttlInSeconds} s`,
          );
        }
      },
    },
    async (request, reply) => {
      const { id, ballot } = await validator.parse(request.body);
      const known = store.get(id);
      if (known !== undefined) return reply.status(202).send({ ...ballotView(known), duplicate: true });
      await validator.simulate(ballot);
      const result = store.insert(id, ballot);
      if (result.kind === "nonce-taken") {
        throw new BallotRejectedError(
          409,
          "NonceTaken",
          `another ballot of ${ballot.voter} on this proposal with nonce ${ballot.nonce} is waiting (${result.record.id}); sign the next one after it is included`,
        );
      }
      if (result.kind === "inserted") config.onQueued();
      return reply.status(202).send({ ...ballotView(result.record), duplicate: result.kind === "duplicate" });
    },
  );

  return app;
}
