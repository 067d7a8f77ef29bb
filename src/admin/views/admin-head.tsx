// The <head> of every admin page, signed in or not: never indexed, styles and scripts from the site only.
export interface AdminHeadProps {
  title: string;
  styles?: string[] | undefined;
  scripts?: string[] | undefined;
}

export function AdminHead({ title, styles = [], scripts = [] }: AdminHeadProps) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex, nofollow" />
      <meta name="color-scheme" content="light dark" />
      <title>{`${title} · errorbudget admin`}</title>
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/admin/assets/admin.css" />
      {styles.map((name) => (
        <link key={name} rel="stylesheet" href={`/admin/assets/${name}`} />
      ))}
      {scripts.map((name) => (
        <script key={name} src={`/admin/assets/${name}`} defer />
      ))}
    </head>
  );
}
