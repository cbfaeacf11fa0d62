import { useEffect, useState } from 'react';
import { hearth } from '../../hearth.ts';

/**
 * Whether the setup link can still be used: `used` once the first admin
 * exists (GET /api/admin/setup), so the page does not offer a form that can
 * only fail. When the server cannot be asked, the form shows and its answer decides.
 */
export function useSetupState(): 'checking' | 'open' | 'used' {
  const [state, setState] = useState<'checking' | 'open' | 'used'>('checking');
  useEffect(() => {
    let current = true;
    hearth.admin.setupStatus().then(
      (answer) => current && setState(answer.complete ? 'used' : 'open'),
      () => current && setState('open'),
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}
