import { runConsumerService } from '../../shared/adapters/consumer-service';
import { runMain } from '../../shared/adapters/main';
import { orderConsumer } from './handler';

runMain(() => runConsumerService(orderConsumer));
