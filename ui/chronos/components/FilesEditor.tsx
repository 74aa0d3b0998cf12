// The files fetched into the sandbox (Chronos `uris`, or `fetch` entries when a row needs a flag).
import { newFetchRow, type FetchRow } from '../job-form.ts';
import { RowsEditor } from './RowsEditor.tsx';

export function FilesEditor({ value, onChange, error }: { value: FetchRow[]; onChange(v: FetchRow[]): void; error?: string }) {
  return (
    <RowsEditor legend="Files fetched into the sandbox" noun="URI" rowClass="files-row" columns={['URI', 'Save as', 'Options']} rows={value} onChange={onChange} blank={newFetchRow} error={error}
      hint="One URI per row (http, https, ftp, hdfs, file or a path on the agent), fetched before the command runs. Archives are extracted unless unchecked.">
      {(row, i, set) => (
        <>
          <input aria-label={`URI ${i + 1}`} placeholder="https://example.com/tool.tar.gz" className="mono" value={row.uri} aria-invalid={error ? true : undefined} onChange={(e) => set({ uri: e.target.value })} />
          <input aria-label={`URI ${i + 1} file name`} placeholder="save as (optional)" className="mono" value={row.outputFile} onChange={(e) => set({ outputFile: e.target.value })} />
          <span className="row-checks">
            <label className="check"><input type="checkbox" aria-label={`URI ${i + 1} extract`} checked={row.extract} onChange={(e) => set({ extract: e.target.checked })} /> Extract</label>
            <label className="check"><input type="checkbox" aria-label={`URI ${i + 1} executable`} checked={row.executable} onChange={(e) => set({ executable: e.target.checked })} /> Executable</label>
            <label className="check"><input type="checkbox" aria-label={`URI ${i + 1} cache`} checked={row.cache} onChange={(e) => set({ cache: e.target.checked })} /> Cache</label>
          </span>
        </>
      )}
    </RowsEditor>
  );
}
