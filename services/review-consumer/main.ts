import { runConsumerService } from '../../shared/adapters/consumer-service';
import { runMain } from '../../shared/adapters/main';
import { reviewConsumer } from './handler';

runMain(() => runConsumerService(reviewConsumer));
