import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { tagRequestUser, uuidParam } from '@tracehop/service-kit';
import { RegisterUserDto } from './register-user.dto';
import { UserView } from './user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserView })
  @ApiConflictResponse({ description: 'The e-mail address is already registered (problem details)' })
  async register(@Body() request: RegisterUserDto): Promise<UserView> {
    const user = await this.users.register(request);
    tagRequestUser(user.id);
    return user;
  }

  @Get(':id')
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse({ description: 'No such user (problem details)' })
  get(@Param('id', uuidParam('id')) id: string): Promise<UserView> {
    tagRequestUser(id);
    return this.users.get(id);
  }
}
