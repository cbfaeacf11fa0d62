import { useEffect, useRef, useState } from 'react';
import { formProblem } from '../../shared/form-problem.ts';
import type { ServiceKey } from '@hearth/client';
import { hearth } from '../../hearth.ts';

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
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    setState('loading');
    setProblem(undefined);
    hearth.admin.keys.list().then(
      (keys) => {
        if (generation.current !== mine) return;
        setItems(keys);
        setState('ready');
      },
      (error: unknown) => {
        if (generation.current !== mine) return;
        setProblem(`The keys could not be loaded. ${formProblem(error).message}`);
        setState('failed');
      },
    );
    return () => {
      generation.current += 1;
    };
  }, [refreshes]);

  return { items, state, problem, refresh: () => setRefreshes((count) => count + 1) };
}
