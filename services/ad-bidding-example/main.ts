import { runMain } from '../../shared/adapters/main';
import { startAdBidding } from './service';

runMain(() => startAdBidding());
