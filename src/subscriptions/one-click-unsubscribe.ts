// RFC 8058 one-click unsubscribe: a mail provider POSTs `List-Unsubscribe=One-Click` to the link of the
// List-Unsubscribe header, as a form or as multipart/form-data. Multipart is read as text (see routes)
// and its parts parsed here, because providers write the field name quoted or, against RFC 7578, bare.
import { z } from 'zod';

const oneClickForm = z.object({ 'List-Unsubscribe': z.literal('One-Click') });
const multipartText = z.object({ multipart: z.string() });

export function isOneClick(body: unknown): boolean {
  if (oneClickForm.safeParse(body).success) return true;
  const multipart = multipartText.safeParse(body);
  return (
    multipart.success &&
    oneClickForm.safeParse(Object.fromEntries(multipartFields(multipart.data.multipart))).success
  );
}

/** Names and text values of a multipart body's parts; the boundary is read from the body's first line. */
function multipartFields(body: string): Map<string, string> {
  const fields = new Map<string, string>();
  const boundary = /^--([^\r\n]+)\r?\n/.exec(body)?.[1];
  if (!boundary) return fields;
  for (const part of body.split(`--${boundary}`)) {
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) continue;
    const headers = part.slice(0, split.index);
    const name = /^content-disposition:\s*form-data\s*;(?:.*;)?\s*name=(?:"([^"]*)"|([^\s;]+))/im.exec(
      headers,
    );
    const value = part.slice(split.index + split[0].length).replace(/\r?\n$/, '');
    const fieldName = name?.[1] ?? name?.[2];
    if (fieldName !== undefined && !fields.has(fieldName)) fields.set(fieldName, value);
  }
  return fields;
}
