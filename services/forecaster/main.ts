import { runMain } from '../../shared/adapters/main';
import { startForecaster } from './service';

runMain(() => startForecaster());
