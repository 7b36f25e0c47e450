import { ConfigError } from '@cutover/kit';
import type { ChecklistDocument } from '@cutover/checklist';
import type { GitHubApi } from '@cutover/github';
import { describeSource, type ChecklistSource } from './resolve-source.js';

export type { ChecklistDocument };

export interface DocumentReaders {
  readFile(path: string): string;
  api(): Promise<GitHubApi>;
}

/** Reads the source's text (and its comments, when asked) as the documents the gate judges. */
export async function loadDocuments(
  source: ChecklistSource,
  includeComments: boolean,
  readers: DocumentReaders,
): Promise<ChecklistDocument[]> {
  const origin = describeSource(source);
  switch (source.kind) {
    case 'file': {
      let text: string;
      try {
        text = readers.readFile(source.path);
      } catch (error) {
        if (error instanceof ConfigError) throw error; // refused, e.g. outside the workspace
        const code = (error as { code?: string }).code;
        throw new ConfigError(
          `input 'path': cannot read "${source.path}" (${code === 'ENOENT' ? 'no such file; did the workflow check out the repository?' : (code ?? String(error))})`,
        );
      }
      return [{ origin, text, file: source.path }];
    }
    case 'issue':
    case 'pull-request': {
      const api = await readers.api();
      const kind = source.kind === 'issue' ? 'issue' : 'pull request';
      const issue = await api.getIssue(source.number, kind);
      const documents: ChecklistDocument[] = [
        {
          origin,
          text: issue.body,
          editable: { number: source.number, kind, updatedAt: issue.updatedAt },
        },
      ];
      if (includeComments) {
        for (const comment of await api.listIssueComments(source.number, kind))
          documents.push({
            origin: `${origin} comment ${comment.id} by @${comment.author}`,
            text: comment.body,
          });
      }
      return documents;
    }
    case 'release': {
      const api = await readers.api();
      const release = await api.getReleaseByTag(source.tag);
      return [{ origin: `${origin}${release.draft ? ' (draft)' : ''}`, text: release.body }];
    }
  }
}
