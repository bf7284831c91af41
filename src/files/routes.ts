import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from '../auth/service.js';
import { DomainError, Invalid, Unauthorized } from '../errors.js';
import { idParams } from '../http/id-params.js';
import { bearerToken, principalOf } from '../http/plugins/authentication.js';
import { problemResponses } from '../http/problem.js';
import type { UploadPart } from './file-store.js';
import { maxFileSize } from './file-types.js';
import { asClientError } from './staging.js';
import { attachmentListSchema, fileQuery, previewQuery } from './schemas.js';
import { serveFile, type Variant } from './serve-file.js';
import type { FileService } from './service.js';

const tags = ['files'];
const security = [{ bearer: [] }];

/** Files per upload request. */
const maxFilesPerUpload = 10;

/** The largest upload body that could be accepted: every file at the limit, with its framing. */
export const maxUploadBytes = maxFilesPerUpload * (maxFileSize + 64 * 1024);

const uploadDescription =
  'A `multipart/form-data` body with one or more (up to 10) file parts. The type is decided by ' +
  'the content (magic bytes), never by the name or declared type: JPEG, PNG, WebP, GIF, HEIC ' +
  'images up to 10 MB; PDF, DOCX, XLSX, PPTX, ODT, TXT and CSV (valid UTF-8 only) documents ' +
  'and ZIP, 7Z, RAR archives up to 20 MB. Too large is 413 (cut off while streaming), any ' +
  'other type 415, too many uploads per minute 429; one bad file keeps none. Images are ' +
  're-encoded without metadata and get WebP previews before the reply. With antivirus on, ' +
  '`scan_status` says `clean`, `infected` (quarantined, never served) or `pending`.';

const bytes = (description: string) => z.unknown().describe(description);
/**
 * The multipart body, for the OpenAPI document only: the parts are streamed by the handler, so
 * there is no parsed body to validate (hence nullish).
 */
const uploadBody = z
  .object({
    file: z
      .string()
      .meta({ format: 'binary' })
      .describe('A file part; repeat the field for several files'),
  })
  .nullish();

const fileResponses = {
  200: bytes('The bytes, with the detected type'),
  206: bytes('The requested range'),
  304: z.null().describe('Not modified (If-None-Match)'),
  ...problemResponses(401, 403, 404, 409, 416, 422),
};

/** Uploading, listing and serving files (`/tickets/{id}/attachments`, `/attachments`, `/files`). */
export const fileRoutes: FastifyPluginAsyncZod<{
  files: FileService;
  uploadRateLimitMax: number;
}> = async (app, { files, uploadRateLimitMax }) => {
  await app.register(multipart, {
    // Our own counter cuts each file at its kind's limit; this is the backstop.
    // Text fields are refused, so none needs more than a few bytes.
    limits: {
      fileSize: maxFileSize + 1,
      files: maxFilesPerUpload,
      fields: 10,
      fieldSize: 1024,
      parts: 20,
    },
    throwFileSizeLimit: false,
  });
  const guard = app.authorize('tickets.read_own');
  const uploadLimit = { rateLimit: { max: uploadRateLimitMax, timeWindow: 60_000 } };

  /** Runs before body validation, so a JSON body is a 415 rather than a missing field. */
  const requireMultipart = async (request: FastifyRequest) => {
    if (!request.isMultipart()) {
      throw new DomainError(415, 'Send the files as multipart/form-data', 'unsupported_media_type');
    }
  };

  /** The file parts; a text field is 422, a body busboy cannot parse 400. */
  async function* partsOf(request: FastifyRequest): AsyncIterable<UploadPart> {
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          throw new Invalid('Send only file parts', [
            { field: part.fieldname, message: 'is a text field; only files are accepted' },
          ]);
        }
        yield { file: part.file, filename: part.filename };
      }
    } catch (error) {
      throw asClientError(error);
    }
  }

  app.post(
    '/tickets/:id/attachments',
    {
      preValidation: [guard, requireMultipart],
      config: uploadLimit,
      schema: {
        tags,
        summary: 'Upload files to a ticket',
        description: `Whoever may see the ticket and write in it (not closed: 409). ${uploadDescription}`,
        security,
        params: idParams,
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: {
          201: attachmentListSchema,
          ...problemResponses(401, 403, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const items = await files.upload(principalOf(request), request.params.id, partsOf(request));
      return reply.status(201).send({ items });
    },
  );

  app.post(
    '/attachments',
    {
      preValidation: [guard, requireMultipart],
      config: uploadLimit,
      schema: {
        tags,
        summary: 'Upload files before the ticket exists',
        description:
          'For the new-ticket form: the files stay the caller’s own until `POST /tickets` or ' +
          '`POST /tickets/{id}/messages` names them in `attachment_ids`, and are removed after ' +
          `24 h otherwise. ${uploadDescription}`,
        security,
        consumes: ['multipart/form-data'],
        body: uploadBody,
        response: {
          201: attachmentListSchema,
          ...problemResponses(401, 403, 409, 413, 415, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const items = await files.upload(principalOf(request), null, partsOf(request));
      return reply.status(201).send({ items });
    },
  );

  app.get(
    '/tickets/:id/attachments',
    {
      preValidation: guard,
      schema: {
        tags,
        summary: 'List a ticket’s files',
        description:
          'Every file of the ticket the caller may see: internal notes’ files for staff only.',
        security,
        params: idParams,
        response: { 200: attachmentListSchema, ...problemResponses(401, 403, 404, 422) },
      },
    },
    async (request) => ({
      items: await files.listForTicket(principalOf(request), request.params.id),
    }),
  );

  /** A valid signed link stands for the caller; otherwise the bearer token must. */
  async function caller(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    query: { exp?: number; sig?: string; u?: string },
    variant: Variant,
  ): Promise<Principal | undefined> {
    const { exp, sig, u: holder } = query;
    if (exp !== undefined && sig && holder) {
      if (await files.verifyLink(id, variant.kind, { exp, sig, holder })) return undefined;
    }
    if (!bearerToken(request)) {
      throw new Unauthorized('Sign in, or use the link from the attachment (it may have expired)');
    }
    await guard.call(app, request, reply);
    return principalOf(request);
  }

  const serve = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    query: { exp?: number; sig?: string; u?: string },
    variant: Variant,
  ) => {
    const row = await files.servable(await caller(request, reply, id, query, variant), id);
    return serveFile(files, row, variant, request, reply);
  };

  app.get(
    '/files/:id',
    {
      schema: {
        tags,
        summary: 'Download a file',
        description:
          'To those who may see its ticket (others: 404; users never get internal notes’ files), ' +
          'with a bearer token or as the signed `url` of the attachment. Served with the detected ' +
          'type, `nosniff`, a sandbox CSP, `Content-Disposition` (inline for raster images, ' +
          'attachment for everything else), ETag and byte ranges (206; 416 outside the file). ' +
          'Infected or not yet scanned files are 409.',
        security: [{ bearer: [] }, {}],
        params: idParams,
        querystring: fileQuery,
        response: fileResponses,
      },
    },
    async (request, reply) =>
      serve(request, reply, request.params.id, request.query, { kind: 'file' }),
  );

  app.get(
    '/files/:id/preview',
    {
      schema: {
        tags,
        summary: 'A file’s WebP preview',
        description:
          'About 320 px (`size=small`, default) or 1280 px (`size=large`) on the longer side, ' +
          'metadata stripped. Images only; 404 for other files. Access as for the file.',
        security: [{ bearer: [] }, {}],
        params: idParams,
        querystring: previewQuery,
        response: fileResponses,
      },
    },
    async (request, reply) =>
      serve(request, reply, request.params.id, request.query, {
        kind: 'preview',
        size: request.query.size,
      }),
  );
};
