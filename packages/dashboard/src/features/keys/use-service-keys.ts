import { useEffect, useState } from 'react';
import { formProblem } from '../../shared/form-problem.ts';
import type { ServiceKey } from '@hearth/client';
import { hearth } from '../../hearth.ts';
import { useLatestAnswer } from '../../shared/use-latest-answer.ts';

export interface ServiceKeyList {
  items: ServiceKey[];
  state: 'loading' | 'ready' | 'failed';
  /** Why the list could not be loaded; the keys already shown stay. */
  problem: string | undefined;
  refresh(): void;
}

/** The service keys that are not revoked, oldest first as the server lists them. */
export function useServiceKeys(): ServiceKeyList {
  const [items, setItems] = useState<ServiceKey[]>([]);
  const [state, setState] = useState<ServiceKeyList['state']>('loading');
  const [problem, setProblem] = useState<string>();
  const [refreshes, setRefreshes] = useState(0);
  const latest = useLatestAnswer();

  useEffect(() => {
    setState('loading');
    setProblem(undefined);
    latest.replace(
      hearth.admin.keys.list(),
      (keys) => {
        setItems(keys);
        setState('ready');
      },
      (error) => {
        setProblem(`The keys could not be loaded. ${formProblem(error).message}`);
        setState('failed');
      },
    );
    return latest.dropAll;
  }, [refreshes]);

  return { items, state, problem, refresh: () => setRefreshes((count) => count + 1) };
}
