import { runMain } from '../../shared/adapters/main';
import { startRestockTrigger } from './service';

runMain(() => startRestockTrigger());
